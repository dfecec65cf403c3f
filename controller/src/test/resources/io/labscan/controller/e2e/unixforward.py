"""Forwards TCP connections on a loopback port to a Unix socket, both ways, until killed.

The lab's controllers run in network namespaces that nothing connects to the machine's own
loopback, where the test's PostgreSQL listens; a Unix socket is a file, reachable from every
namespace. Run inside a controller's namespace, this gives it the database on its own
127.0.0.1:PORT.

usage: unixforward.py PORT UNIX_SOCKET
"""
import socket
import sys
import threading

port, target = int(sys.argv[1]), sys.argv[2]


def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(target)
    except OSError as e:
        print("cannot reach %s: %s" % (target, e), file=sys.stderr, flush=True)
        client.close()
        return
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(64)
print("forwarding 127.0.0.1:%d to %s" % (port, target), file=sys.stderr, flush=True)
while True:
    conn, _ = listener.accept()
    serve(conn)
