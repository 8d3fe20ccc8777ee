"""Adapters to the outside world that domain services receive as parameters (so domain code
never does I/O of its own kind): the HTTPS transport to remote PACT hosts, TLS material."""
