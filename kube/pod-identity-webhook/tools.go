//go:build tools

// Package tools pins the EKS pod identity webhook (github.com/aws/amazon-eks-pod-identity-webhook, the mutating
// admission webhook EKS runs for IRSA) so `go mod tidy` keeps its modules in go.sum.
// scripts/kube.sh builds it with `go build github.com/aws/amazon-eks-pod-identity-webhook`.
package tools

import _ "github.com/aws/amazon-eks-pod-identity-webhook"
