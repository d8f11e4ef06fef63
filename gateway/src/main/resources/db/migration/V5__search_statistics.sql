-- Search parameters' columns are strongly correlated (param 'owner' only ever occurs with res_type
-- 'Task', one provider's ODS code with param 'owner' ...). Estimating them as independent, the
-- planner took a provider's 75,000 queued Tasks for 64 and chose plans that read every one of them
-- to return a page of 20. Multi-column most-common-value statistics give it the real proportions.
CREATE STATISTICS idx_reference_ident_stats (mcv) ON res_type, param, ident_value FROM idx_reference;
CREATE STATISTICS idx_reference_target_stats (mcv) ON res_type, param, target_type FROM idx_reference;
CREATE STATISTICS idx_token_stats (mcv) ON res_type, param, code FROM idx_token;
