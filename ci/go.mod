module github.com/deliverykit/podinfo/ci

go 1.26
