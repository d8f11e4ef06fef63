-- Outcome reviews: for each referral and instrument (Questionnaire url), its latest final response and
-- when the next review falls due. Derived from the stored QuestionnaireResponses, referrals and
-- review-interval settings, and kept current in the same transactions that change them; it exists so
-- that reviews falling due across all referrals are found with one indexed query
-- (ServiceRequest/$reviews-due).

CREATE TABLE outcome_review (
    referral_id      varchar(64) NOT NULL,   -- ServiceRequest id
    instrument       text        NOT NULL,   -- Questionnaire url, without version
    questionnaire    text        NOT NULL,   -- url|version of the latest response's Questionnaire
    instrument_name  text,                   -- Questionnaire.name, for display
    patient          text,                   -- the referral's patient, as the response references it
    service          text,                   -- the referral's performer: HealthcareService/id or identifier:system|value
    latest_response  varchar(64) NOT NULL,   -- QuestionnaireResponse id
    latest_authored  timestamptz NOT NULL,
    review_interval  varchar(32) NOT NULL,   -- ISO 8601 period, e.g. P6M
    interval_source  varchar(32) NOT NULL,   -- service-instrument | service | instrument | default
    review_due       date        NOT NULL,
    open             boolean     NOT NULL,   -- the referral is active, so reviews are due
    PRIMARY KEY (referral_id, instrument)
);
CREATE INDEX outcome_review_due ON outcome_review (review_due, referral_id) WHERE open;
CREATE INDEX outcome_review_service ON outcome_review (service) WHERE service IS NOT NULL;
CREATE INDEX outcome_review_instrument ON outcome_review (instrument);
