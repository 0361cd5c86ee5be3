CREATE OR REPLACE FUNCTION public.ledger_kind_rank(k text)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT CASE k WHEN 'allowance' THEN 0 WHEN 'pack' THEN 1 WHEN 'credit' THEN 2 WHEN 'trial' THEN 3 END
$function$
