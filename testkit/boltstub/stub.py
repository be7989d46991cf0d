"""Runs one boltkit stub script on 127.0.0.1, speaking Bolt 4.4 (the version neo4rs uses with
Neo4j 5.26 and 2025.x). Prints the port when listening; exits 0 only when the whole script was
played. Usage: stub.py SCRIPT [PORT] (PORT 0 or none: any free port)"""
import logging
import sys
from struct import pack

from boltkit.driver import BOLT
from boltkit.server import StubServer


class Bolt44(StubServer):
    def handshake(self, sock):
        if sock.recv(4) != BOLT:
            self.stop()
            return
        sock.recv(16)
        # Scripts are written in Bolt 4 message syntax; the wire version is 4.4.
        self.peers[sock].bolt_version = 4
        sock.send(pack(">I", 0x00000404))


logging.basicConfig(stream=sys.stderr, level=logging.DEBUG, format="%(message)s")
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
server = Bolt44(("127.0.0.1", port), sys.argv[1], timeout=20)
print(server.server.getsockname()[1], flush=True)
server.start()
server.join()
# A client that went away before the end of the script has not played it.
sys.exit(server.exit_code or (1 if server.script.lines else 0))
