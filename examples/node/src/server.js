'use strict';
const http = require('node:http');
const { greeting } = require('./greeting');

const port = Number(process.env.PORT || 3000);
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/health') {
    res.writeHead(200).end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(greeting(url.searchParams.get('name')));
}).listen(port, () => console.log(`listening on :${port}`));
