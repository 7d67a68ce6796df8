"""A real HTTP service whose limit is its CPU, for perfhound capacity's verdict tests.

    python3 cpu_server.py WORK_MS     every request burns WORK_MS of CPU time (measured with
                                      time.thread_time, so the same work on a busy machine),
                                      on a pool of one worker thread (the connections'
                                      threads queue the work for it and wait)
    python3 cpu_server.py sleep WORK_MS HOLD_MB
                                      the worker sleeps WORK_MS instead (no CPU), and every
                                      request holds HOLD_MB of memory while it waits: memory
                                      grows with the queue in front of the worker

Its capacity is one core / WORK_MS (100 req/s for 10 ms on an idle core; less when the
machine is shared, but its CPU demand — on a CPU or waiting for one — stays one core).
Binds 127.0.0.1:0, prints the port on the first line of stdout, serves HTTP/1.1 keep-alive
until stdin is closed. Standard library only.
"""
import http.server
import queue
import sys
import threading
import time

SLEEP = sys.argv[1] == "sleep"
WORK_S = float(sys.argv[2 if SLEEP else 1]) / 1000.0
HOLD = int(float(sys.argv[3]) * 1e6) if SLEEP else 0
jobs = queue.Queue()


def work():
    while True:
        done = jobs.get()
        if SLEEP:
            time.sleep(WORK_S)
            done.set()
            continue
        start = time.thread_time()
        n = 0
        while time.thread_time() - start < WORK_S:
            n += 1
        done.set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # b"x" * n writes every byte: the pages are resident while the request waits.
        held = b"x" * HOLD if HOLD else b""
        done = threading.Event()
        jobs.put(done)
        done.wait()
        del held
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


threading.Thread(target=work, daemon=True).start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
