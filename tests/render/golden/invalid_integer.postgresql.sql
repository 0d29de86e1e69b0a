SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."id" = CAST(CAST($1 AS TEXT) AS integer)) AS _dbrest_t
-- params: ["abc"]
