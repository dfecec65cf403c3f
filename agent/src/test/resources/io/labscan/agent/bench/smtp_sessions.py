# SMTP-like sessions of a given length against a listener on 127.0.0.1:25, for the egress
# detection benchmark (EgressDetectionBench). Runs inside a private network namespace.
#
# Prints "ready PID" once listening. Then, per line on stdin "DURATION_MS COUNT ORDER SPREAD_MS"
# (ORDER: server = the server closes first, as after QUIT/221; client = the client closes
# first), runs COUNT sessions concurrently, each starting at a random offset in
# [0, SPREAD_MS) so that sessions fall at every phase of the sampler's period, and prints
# "ports P1,P2,..." (the client ports) when all have ended. "quit" ends the program.
import os, random, socket, sys, threading, time

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 25))
srv.listen(1024)

def serve(conn, order):
    with conn:
        conn.sendall(b'220 bench ESMTP\r\n')
        if not conn.recv(100):  # QUIT
            return
        conn.sendall(b'221 bye\r\n')
        if order == 'client':
            conn.recv(100)  # wait for the client's FIN, then close
        # order == 'server': close right after 221

def accept_loop():
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(conn, current_order[0]), daemon=True).start()

current_order = ['server']
threading.Thread(target=accept_loop, daemon=True).start()

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
    cli.sendall(b'QUIT\r\n')
    cli.recv(100)  # 221
    if order == 'server':
        cli.recv(100)  # the server's FIN
    cli.close()

print('ready', os.getpid(), flush=True)
for line in sys.stdin:
    words = line.split()
    if not words or words[0] == 'quit':
        break
    duration_ms, count, order, spread_ms = int(words[0]), int(words[1]), words[2], int(words[3])
    current_order[0] = order
    ports, lock = [], threading.Lock()
    threads = [threading.Thread(target=session,
                                args=(duration_ms / 1000.0, order, random.random() * spread_ms / 1000.0, ports, lock))
               for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print('ports', ','.join(map(str, ports)), flush=True)
srv.close()
