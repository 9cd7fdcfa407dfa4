module github.com/paybridge/paybridge

go 1.24
