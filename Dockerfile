# petakampung: the site in a container.  Build: docker build -t petakampung .
# Runs as a non-root user, with the exact versions of requirements.lock (hashes checked), the store
# in the volume /data and a health check on /healthz.  See README, "Deployment".
# (docker build cannot run on the project's machines; tests/test_ops_deploy.py reads this file.)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PETAKAMPUNG_STORE=/data/petakampung.gpkg \
    PETAKAMPUNG_HOST=0.0.0.0 \
    PETAKAMPUNG_PORT=8000 \
    PETAKAMPUNG_WORKERS=2 \
    PETAKAMPUNG_HAZARD_DIR=/app/data/hazard

RUN groupadd --system --gid 10001 petakampung \
    && useradd --system --uid 10001 --gid petakampung --home-dir /app --shell /usr/sbin/nologin petakampung \
    && mkdir -p /data \
    && chown petakampung:petakampung /data \
    && chmod 700 /data

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY geo ./geo
COPY web ./web
COPY data ./data
RUN pip install --no-deps . && rm -rf build

USER petakampung
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PETAKAMPUNG_PORT', '8000') + '/healthz', timeout=4)"]
ENTRYPOINT ["petakampung"]
CMD ["serve"]
