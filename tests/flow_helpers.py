"""What the flow tests of every layer build on: the Activepieces path and a webhook trigger."""

AP = "/activepieces/v1"
WEBHOOK_TRIGGER = {
    "name": "trigger",
    "type": "PIECE_TRIGGER",
    "valid": True,
    "displayName": "Catch Webhook",
    "settings": {
        "pieceName": "@activepieces/piece-webhook",
        "pieceVersion": "0.1.24",
        "triggerName": "catch_webhook",
        "input": {"authType": "none", "authFields": {}},
        "propertySettings": {},
    },
}


def return_response_step(
    name: str = "step_1", *, status: int = 200, body=None, respond: str = "stop", headers: dict | None = None
) -> dict:
    """A Return Response step as the flow builder saves it: JSON ``body`` (by default the trigger's body echoed)."""
    return {
        "name": name,
        "type": "PIECE",
        "valid": True,
        "displayName": "Return Response",
        "settings": {
            "pieceName": "@activepieces/piece-webhook",
            "pieceVersion": "0.1.24",
            "actionName": "return_response",
            "input": {
                "responseType": "json",
                "respond": respond,
                "fields": {"status": status, "headers": headers or {}, "body": body or {"echo": "{{trigger.body}}"}},
            },
            "propertySettings": {},
        },
    }
