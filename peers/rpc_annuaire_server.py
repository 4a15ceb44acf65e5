# The benchmark's reference directory: Python's SimpleXMLRPCServer (HTTP/1.1, one thread per
# connection) over sqlite3 with the same durability as ours: WAL, synchronous=FULL, one commit per add.
import sqlite3
import sys
import threading
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


class Annuaire:
    def __init__(self, path):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, name TEXT, number TEXT, UNIQUE (name, number))")
        self.lock = threading.Lock()

    def ajouterEntree(self, nom, numero):
        with self.lock:
            self.db.execute("INSERT INTO entries (name, number) VALUES (?, ?)", (nom, numero))
        return True

    def nbNumeros(self):
        with self.lock:
            return self.db.execute("SELECT count(*) FROM entries").fetchone()[0]


class KeepAliveHandler(SimpleXMLRPCRequestHandler):
    protocol_version = "HTTP/1.1"


class ThreadingServer(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


server = ThreadingServer(("127.0.0.1", 0), requestHandler=KeepAliveHandler, logRequests=False)
server.register_instance(Annuaire(sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
