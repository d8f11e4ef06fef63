-- What each BaRS message was answered is kept for gateway.intake.bars-message-retention
-- (intake.BarsMessageRetention deletes older rows by age).
CREATE INDEX bars_message_received ON bars_message (received_at);
