-- Issue 14, rows said twice. A reference parameter whose expression is another's narrowed to one target type (patient is
-- subject.where(resolve() is Patient) on ServiceRequest, Task, Condition, Observation ...) gave every such value two index
-- rows: a referral's Patient was indexed as subject and as patient on both the ServiceRequest and its Task, two rows and
-- eight B-tree entries per referral. The store now keeps the shared value once, under the narrower name, and a search,
-- sort or include on the broader parameter reads both names (store.SearchParameterRegistry pairs them from the
-- expressions). This removes the copies from resources stored before; searches are right with or without them.
-- The types are those whose base patient parameter is their subject narrowed (NarrowerParametersTest checks the list).
DELETE FROM idx_reference s
 USING idx_reference p
 WHERE s.res_type IN ('Account', 'Basic', 'CarePlan', 'CareTeam', 'ChargeItem', 'ClinicalImpression', 'Communication',
                      'CommunicationRequest', 'Composition', 'Condition', 'Contract', 'DeviceRequest',
                      'DiagnosticReport', 'DocumentManifest', 'DocumentReference', 'Encounter', 'Flag', 'Goal',
                      'GuidanceResponse', 'ImagingStudy', 'Invoice', 'List', 'MeasureReport', 'Media',
                      'MedicationAdministration', 'MedicationDispense', 'MedicationRequest', 'MedicationStatement',
                      'Observation', 'Procedure', 'QuestionnaireResponse', 'RequestGroup', 'RiskAssessment',
                      'ServiceRequest', 'Specimen', 'Task')
   AND s.param = 'subject'
   AND p.res_pk = s.res_pk
   AND p.res_type = s.res_type
   AND p.param = 'patient'
   AND p.target_type IS NOT DISTINCT FROM s.target_type
   AND p.target_id IS NOT DISTINCT FROM s.target_id
   AND p.target_url IS NOT DISTINCT FROM s.target_url
   AND p.ident_system IS NOT DISTINCT FROM s.ident_system
   AND p.ident_value IS NOT DISTINCT FROM s.ident_value;
