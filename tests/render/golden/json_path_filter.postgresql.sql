SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE (t."meta" ->> CAST($1 AS TEXT)) = CAST($2 AS TEXT) AND (t."meta" -> CAST($3 AS TEXT)) > CAST(CAST($4 AS TEXT) AS jsonb)) AS _dbrest_t
-- params: ["lang", "en", "rating", "4"]
