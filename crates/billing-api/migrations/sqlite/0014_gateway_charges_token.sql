-- The simulated gateway's records are found by their token: a card's
-- charges, and a charge's refunds (a refund's token is its charge). The
-- PostgreSQL schema has had this index from the start.
CREATE INDEX gateway_charges_token ON gateway_charges (token);
