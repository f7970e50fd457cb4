module loadscope/demo/stacks/go

go 1.19
