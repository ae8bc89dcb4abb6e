"""The sandbox's demo key and how a parent hands its child process a key. A module of its own so
the launcher can spawn the child without loading the sandbox's configuration classes."""

DEMO_API_KEY = "sk-sandbox-demo"
KEY_VARIABLE = "SIXTYFOUR_SANDBOX_API_KEY"  # how a parent hands the child process its key (not argv)
