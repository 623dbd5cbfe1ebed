module github.com/deliverykit/podinfo/tests

go 1.26

require github.com/deliverykit/podinfo/ci v0.0.0

replace (
	github.com/deliverykit/podinfo => ../
	github.com/deliverykit/podinfo/ci => ../ci
)
