/**
 * CDK composition root. The hub stack (Step Functions sweep, approval, audit) and the member stack (scanner and
 * remediator roles) are added here by the remediation workflow; until then the app synthesizes no stacks.
 */
import { App } from 'aws-cdk-lib';

const app = new App();
app.synth();
