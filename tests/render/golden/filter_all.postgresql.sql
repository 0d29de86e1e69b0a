SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE t."year" > ALL(CAST(CAST($1 AS TEXT[]) AS integer[])) AND t."title" ILIKE ALL(CAST($2 AS TEXT[]))) AS _dbrest_t
-- params: [["1900", "1950"], ["%a%", "%e%"]]
