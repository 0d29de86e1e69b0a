SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE (CASE json_type(t."meta", ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(t."meta" ->> ? AS TEXT) END) = ? AND (t."meta" -> ?) > json(?)) AS _dbrest_t
-- params: ["id", "$.\"lang\"", "$.\"lang\"", "en", "$.\"rating\"", "4"]
