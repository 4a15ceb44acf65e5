# The reference peer for the RPC lab: Python's SimpleXMLRPCServer serving the lab's Calcul class,
# HTTP/1.1 keep-alive, one thread per connection. Prints its port, then serves until killed.
import sys
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


class Calcul:
    def add(self, a, b):
        return a + b

    def mult(self, a, b):
        return a * b

    def diff(self, a, b):
        return a - b

    def quotient(self, a, b):
        return a / b

    def absolue(self, a):
        return abs(a)


class KeepAliveHandler(SimpleXMLRPCRequestHandler):
    protocol_version = "HTTP/1.1"


class ThreadingServer(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
server = ThreadingServer(("127.0.0.1", port), requestHandler=KeepAliveHandler, logRequests=False, allow_none=True)
server.register_instance(Calcul())
server.register_introspection_functions()
server.register_multicall_functions()
print(server.server_address[1], flush=True)
server.serve_forever()
