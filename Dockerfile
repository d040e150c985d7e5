# The one image of the suite; each Deployment picks its service with `command`.
# swagger-ui-dist (the gateway's /docs/ page) comes from the root package.json's lock.
FROM node:20-slim AS ui
WORKDIR /ui
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY shared ./shared
COPY services ./services
COPY alembic.ini ./
COPY --from=ui /ui/node_modules/swagger-ui-dist ./swagger-ui
# The pods' root filesystem is read-only: no bytecode caches written at run time.
ENV MAITRED_GATEWAY_SWAGGER_UI_DIR=/app/swagger-ui PYTHONDONTWRITEBYTECODE=1
# The ops console the gateway serves at /console/ (plain ES modules, no build step).
COPY console/src ./console/src
RUN pip install --no-cache-dir -c constraints.txt . && useradd --uid 10001 maitred
USER maitred
