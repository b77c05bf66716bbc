const env = process.env.NODE_ENV || 'development';
console.log(`node-app ${VERSION} (${env}): fib(30) = ${fib(30)}`);
