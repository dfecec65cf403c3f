# SMTP-like sessions of a given length against a listener on 127.0.0.1:25, for the egress
# detection benchmark (EgressDetectionBench). Runs inside a private network namespace.
#
# Roles (first argument): "server" runs only the listener, "client" only the sessions (the
# mailer), "both" (default) both in one process. Separate processes are what the agent meets
# in reality (the SMTP server is another machine), and keep the server's sockets out of the
# mailer's descriptor table, which the sampler reads to name the mailer.
#
# Prints "ready PID" once ready (the server: once listening). The client then reads, per line
# on stdin, "DURATION_MS COUNT ORDER SPREAD_MS" (ORDER: server = the server closes first, as
# after QUIT/221; client = the client closes first), runs COUNT sessions concurrently, each
# starting at a random offset in [0, SPREAD_MS) so that sessions fall at every phase of the
# sampler's period, and prints "ports P1,P2,..." (the client ports) when all have ended.
# "quit" ends it. The client tells the server the close order in its QUIT line.
import os, random, socket, sys, threading, time

role = sys.argv[1] if len(sys.argv) > 1 else 'both'

def serve(conn):
    with conn:
        conn.sendall(b'220 bench ESMTP\r\n')
        quit_line = conn.recv(100)
        if not quit_line:
            return
        conn.sendall(b'221 bye\r\n')
        if b'client-closes' in quit_line:
            conn.recv(100)  # wait for the client's FIN, then close
        # else: close right after 221, as SMTP servers do

def accept_loop(srv):
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(conn,), daemon=True).start()

def session(duration, order, delay, ports, lock):
    time.sleep(delay)
    start = time.monotonic()
    cli = socket.create_connection(('127.0.0.1', 25))
    with lock:
        ports.append(cli.getsockname()[1])
    cli.recv(100)  # 220
    rest = duration - (time.monotonic() - start)
    if rest > 0:
        time.sleep(rest)
    cli.sendall(b'QUIT client-closes\r\n' if order == 'client' else b'QUIT\r\n')
    cli.recv(100)  # 221
    if order == 'server':
        cli.recv(100)  # the server's FIN
    cli.close()

if role in ('server', 'both'):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', 25))
    srv.listen(1024)
    threading.Thread(target=accept_loop, args=(srv,), daemon=True).start()

print('ready', os.getpid(), flush=True)
if role == 'server':
    sys.stdin.read()  # until the benchmark closes our stdin (or ends us)
    sys.exit(0)
for line in sys.stdin:
    words = line.split()
    if not words or words[0] == 'quit':
        break
    duration_ms, count, order, spread_ms = int(words[0]), int(words[1]), words[2], int(words[3])
    ports, lock = [], threading.Lock()
    threads = [threading.Thread(target=session,
                                args=(duration_ms / 1000.0, order, random.random() * spread_ms / 1000.0, ports, lock))
               for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print('ports', ','.join(map(str, ports)), flush=True)
