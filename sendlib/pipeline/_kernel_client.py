"""The kernel process jupyter_client sees when sendlib forks report kernels (see kernels.py).

    python -S _kernel_client.py SOCKET -f CONNECTION_FILE

Standard library only, so it starts in milliseconds: it asks the warm process on SOCKET to
fork a kernel with these arguments, this folder and this environment, passes interrupts and
stops on to the kernel, and exits with the kernel's exit code.
"""

import json
import os
import signal
import socket
import sys


def main() -> int:
    path, argv = sys.argv[1], sys.argv[2:]
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    connection.sendall((json.dumps(request) + "\n").encode())
    replies = connection.makefile()
    pid = int(replies.readline())

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(signum, forward)
    line = replies.readline()
    return int(line.split()[1]) if line.startswith("exit") else 1


if __name__ == "__main__":
    sys.exit(main())
