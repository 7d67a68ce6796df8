"""A real HTTP service with a known memory behaviour, for perfhound capacity's soak tests.

    python3 memory_server.py leak BYTES          every request retains BYTES forever
    python3 memory_server.py sawtooth BYTES N    every request caches BYTES; the cache is
                                                 cleared every N requests (GC-like)
    python3 memory_server.py files               every request opens a file and keeps it open
    python3 memory_server.py threads             every request starts a thread that never ends
    python3 memory_server.py flat                nothing retained

Binds 127.0.0.1:0, prints the port on the first line of stdout, serves HTTP/1.1 keep-alive
until stdin is closed. Standard library only.
"""
import http.server
import mmap
import sys
import threading

MODE = sys.argv[1]
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 0
EVERY = int(sys.argv[3]) if len(sys.argv) > 3 else 0
retained = []
lock = threading.Lock()
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        global count
        with lock:
            count += 1
            if MODE == "leak":
                # b"x" * n writes every byte: the pages are resident (bytearray(n) may not be).
                retained.append(b"x" * SIZE)
            if MODE == "threads":
                never = threading.Event()
                threading.Thread(target=never.wait, daemon=True).start()
                retained.append(never)
            if MODE == "files":
                retained.append(open("/dev/null", "rb"))
            if MODE == "sawtooth":
                # Own mappings, so that clearing really returns the memory (malloc would keep it).
                m = mmap.mmap(-1, SIZE)
                for page in range(0, SIZE, mmap.PAGESIZE):
                    m[page] = 1
                retained.append(m)
                if count % EVERY == 0:
                    for m in retained:
                        m.close()
                    retained.clear()
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
