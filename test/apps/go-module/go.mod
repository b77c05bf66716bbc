module example.com/tools/greeter

go 1.19
