# Production-like image: gunicorn serves the web app; the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static_src ./static_src
COPY static ./static
RUN npm run --silent build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MASH_VAR_DIR=/var/lib/mash
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 mash
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mash ./mash
COPY agencies ./agencies
COPY referrals ./referrals
COPY decisions ./decisions
COPY audit ./audit
COPY reports ./reports
RUN pip install --no-cache-dir .
COPY manage.py ./
COPY templates ./templates
COPY --from=assets /app/static ./static
RUN mkdir -p /var/lib/mash && chown mash /var/lib/mash \
    && SECRET_KEY=build-only DEBUG=false MASH_VAR_DIR=/tmp/build python manage.py collectstatic --no-input \
    && cp -r /tmp/build/static /var/lib/mash/static && chown -R mash /var/lib/mash
USER mash
EXPOSE 8000
CMD ["gunicorn", "mash.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
