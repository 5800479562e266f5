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
