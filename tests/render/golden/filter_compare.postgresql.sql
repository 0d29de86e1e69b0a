SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."year" > CAST(CAST($1 AS TEXT) AS integer) AND t."year" <= CAST(CAST($2 AS TEXT) AS integer) AND t."price" >= CAST(CAST($3 AS TEXT) AS numeric) AND t."id" < CAST(CAST($4 AS TEXT) AS integer) AND t."title" != CAST($5 AS TEXT)) AS _dbrest_t
-- params: ["1950", "2000", "9.5", "20", "Dune"]
