"""Card payments through Stripe: customers per company, saved cards, intents, refunds, webhooks."""
