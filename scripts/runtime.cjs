// Prints which Node runs the next test pass: the Lambda runtime (22, from the node@22 dev dependency that npm
// scripts put first on PATH) and then the Node that runs npm itself (20 on this team's machines).
process.stdout.write(`== tests on Node ${process.version}\n`);
