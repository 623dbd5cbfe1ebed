module github.com/deliverykit/podinfo

go 1.26
