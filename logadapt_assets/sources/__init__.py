"""Log sources: the Docker Engine API, json-file directories, CRI files, `docker logs -t` text."""
