SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."title" LIKE CAST($1 AS TEXT) AND t."title" ILIKE CAST($2 AS TEXT)) AS _dbrest_t
-- params: ["%Dune%", "the_%"]
