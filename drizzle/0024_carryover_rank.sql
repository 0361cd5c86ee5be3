-- Made by npm run db:ledger-sql from lib/ledger/sql (ledger_kind_rank).
CREATE OR REPLACE FUNCTION public.ledger_kind_rank(k text)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT CASE k WHEN 'carryover' THEN 0 WHEN 'allowance' THEN 1 WHEN 'pack' THEN 2 WHEN 'credit' THEN 3 WHEN 'trial' THEN 4 END
$function$;
