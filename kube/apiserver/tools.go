//go:build tools

// Package tools pins the kube-apiserver command of k8s.io/kubernetes so `go mod tidy` keeps its modules in go.sum.
// scripts/kube.sh builds it with `go build k8s.io/kubernetes/cmd/kube-apiserver`.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
