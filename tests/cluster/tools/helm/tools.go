//go:build tools

// Package tools records the commands build.sh compiles so that `go mod tidy`
// keeps every module they need in go.mod/go.sum.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
