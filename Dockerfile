# dbrest in a container (README.md, "Deployment"):
#   docker build -t dbrest .
#   docker run -p 3000:3000 dbrest                          # the demo database
#   docker run -p 3000:3000 -e PGRST_DB_URI=postgres://… dbrest
#   docker run -p 3000:3000 -v /srv/app:/data -e PGRST_DB_URI=sqlite:/data/app.db dbrest
#   docker run -v /etc/dbrest/dbrest.conf:/etc/dbrest/dbrest.conf:ro dbrest /etc/dbrest/dbrest.conf
# Stop with more time than server-drain-timeout (30 s): docker stop -t 35 (or --stop-timeout).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY dbrest ./dbrest
COPY conformance ./conformance
RUN pip install . && rm -rf /src

# a dedicated user without a login; /data is where SQLite files go (a volume)
RUN useradd --system --user-group --home-dir /data --shell /usr/sbin/nologin dbrest \
    && mkdir -p /data && chown dbrest:dbrest /data
USER dbrest
WORKDIR /data

# the admin server (/live, /ready, /metrics, …) for the health check; not published
# unless you say so (-p 3001:3001). An empty PGRST_ADMIN_SERVER_PORT turns it off, and
# the check then only checks that the container runs.
ENV PGRST_ADMIN_SERVER_PORT=3001
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; p = os.environ.get('PGRST_ADMIN_SERVER_PORT'); p and urllib.request.urlopen(f'http://127.0.0.1:{p}/live', timeout=2)"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["dbrest"]
