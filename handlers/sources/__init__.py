"""Native sources: one module per tool that sends us posts, comments or reviews.

Each module verifies a delivery (signature or path token) and maps its payload to items
(`bot.source_items`) with a pure `parse(payload, settings)`; the routes here store a
verified delivery in the inbox and answer at once.
"""
