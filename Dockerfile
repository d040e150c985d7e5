# The one image of the suite; each Deployment picks its service with `command`.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY shared ./shared
COPY services ./services
COPY alembic.ini ./
# The ops console the gateway serves at /console/ (plain ES modules, no build step).
COPY console/src ./console/src
RUN pip install --no-cache-dir -c constraints.txt . && useradd --uid 10001 maitred
USER maitred
