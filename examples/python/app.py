"""A tiny HTTP service for the Dockerfile examples."""
from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def hello():
    return f"hello, {request.args.get('name', 'world')}\n"


@app.get("/health")
def health():
    return "ok\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
