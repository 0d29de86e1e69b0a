"""`dbrest.asgi:app`: dbrest for any ASGI server, configured from the environment.

`dbrest` (the command) serves with hypercorn, the default. To serve with another ASGI
server, e.g. granian (`pip install 'dbrest[granian]'`):

    PGRST_DB_URI=postgresql://… PGRST_DB_ANON_ROLE=web_anon \\
        granian --interface asgi --host 0.0.0.0 --port 3000 --workers 2 dbrest.asgi:app

The configuration comes from `DBREST_CONFIG`/`PGRST_CONFIG` (a file) and `PGRST_*`
variables, as for the command. The pool and schema cache start with the server's
lifespan (or with the first request); each worker process gets its own. The admin port
(`admin_server_port`) and the start-up banner belong to the `dbrest` command.
"""

from __future__ import annotations

from dbrest.app import create_app
from dbrest.config import load_config

app = create_app(load_config())
