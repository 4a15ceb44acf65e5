// The floor under bench/rpc's one-connection rows: a server that answers every call with the same
// fixed XML-RPC response, parsing nothing and logging nothing. `http` is a bare node:http server;
// `net` writes a whole HTTP response for each read on a bare TCP socket (with wrk -c1 each read is
// one request). No XML-RPC server on node:http that sleeps between calls can answer a single
// connection faster than the first, none on Node faster than the second; one that busy-polls
// (lib/net/busy-poll.ts) can. Prints its port, then serves until killed.

import http from 'node:http';
import net from 'node:net';

const body = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><int>5</int></value>\n</param>\n</params>\n</methodResponse>\n";
const kind = process.argv[2];

const server =
  kind === 'net'
    ? net.createServer({ noDelay: true }, (socket) => {
        const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        socket.on('data', () => socket.write(response));
        socket.on('error', () => socket.destroy());
      })
    : http.createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) }).end(body));
      });
server.listen(0, '127.0.0.1', () => console.log((server.address() as net.AddressInfo).port));
