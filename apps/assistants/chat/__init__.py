"""The chat with an assistant: pages (views), the relay of the gateway's answer (services), reads (selectors)."""
