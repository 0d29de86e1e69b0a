SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id", ((t."meta" -> CAST($1 AS TEXT)) ->> CAST($2 AS TEXT)) AS "name", ((t."meta" -> CAST($3 AS TEXT)) -> CAST($4 AS INTEGER)) AS "tags", (t."meta" ->> CAST($5 AS INTEGER)) AS "first" 
FROM "public"."books" AS t) AS _dbrest_t
-- params: ["series", "name", "tags", 0, -1]
