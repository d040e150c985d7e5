# The one image of the suite; each Deployment picks its service with `command`.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY shared ./shared
COPY services ./services
COPY alembic.ini ./
RUN pip install --no-cache-dir -c constraints.txt . && useradd --uid 10001 maitred
USER maitred
